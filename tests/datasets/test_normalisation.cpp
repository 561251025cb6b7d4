// The one normalisation helper against torch's own reductions, with a mask and a constant
// dimension.
#include <catch2/catch.hpp>

#include "datasets/normalisation.h"

using namespace sdebench;

TEST_CASE("normalisation statistics are the masked mean and unbiased std", "[datasets][normalisation]") {
  torch::manual_seed(3);
  auto values = torch::randn({5, 7, 3}, torch::kFloat64) * torch::tensor({2.0, 0.5, 1.0}, torch::kFloat64) + 4.0;
  values.select(2, 2).fill_(1.5);  // a constant dimension
  auto mask = (torch::rand({5, 7, 3}, torch::kFloat64) < 0.7).to(torch::kFloat64);
  const Normalisation n = fit_normalisation(values, mask);
  for (int j = 0; j < 2; ++j) {
    const auto observed = values.select(2, j).masked_select(mask.select(2, j) > 0);
    CHECK(n.mean[j].item<double>() == Approx(observed.mean().item<double>()).epsilon(1e-12));
    CHECK(n.std[j].item<double>() == Approx(observed.std().item<double>()).epsilon(1e-12));
  }
  CHECK(n.mean[2].item<double>() == Approx(1.5));
  CHECK(n.std[2].item<double>() == 1.0);  // constant: not divided by ~0

  const auto normalised = normalise(values, mask, n);
  CHECK(normalised.masked_select(mask == 0).abs().max().item<double>() == 0.0);
  const auto again = fit_normalisation(normalised, mask);
  CHECK(again.mean.abs().max().item<double>() < 1e-12);
  CHECK(again.std[0].item<double>() == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("a dimension never observed keeps mean 0 and std 1", "[datasets][normalisation]") {
  auto values = torch::randn({4, 3, 2}, torch::kFloat64);
  auto mask = torch::ones_like(values);
  mask.select(2, 1).zero_();
  const Normalisation n = fit_normalisation(values, mask);
  CHECK(n.mean[1].item<double>() == 0.0);
  CHECK(n.std[1].item<double>() == 1.0);
}
