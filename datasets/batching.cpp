#include "datasets/batching.h"

#include <ATen/CPUGeneratorImpl.h>

#include <stdexcept>

namespace sdebench {

SequenceBatch sample_sequences(const TimeSeriesSplit& split, std::int64_t batch_size,
                               at::Generator& generator, torch::ScalarType dtype) {
  const std::int64_t n = split.size();
  if (n == 0) throw std::invalid_argument("sample_sequences: the split is empty");
  if (batch_size < 1)
    throw std::invalid_argument("sample_sequences: batch_size must be >= 1, got " +
                                std::to_string(batch_size));
  auto options = torch::TensorOptions().dtype(torch::kLong);
  torch::Tensor indices =
      batch_size <= n ? at::randperm(n, generator, options).narrow(0, 0, batch_size)
                      : at::randint(n, {batch_size}, generator, options);
  return {split.values.index_select(0, indices).to(dtype),
          split.mask.index_select(0, indices).to(dtype), indices};
}

SequenceBatch sample_sequences(const TimeSeriesSplit& split, std::int64_t batch_size,
                               std::uint64_t seed, torch::ScalarType dtype) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  return sample_sequences(split, batch_size, generator, dtype);
}

}  // namespace sdebench
