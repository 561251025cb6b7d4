#pragma once
// The process's heap policy for training, set once at program start next to the threads.
//
// Backprop through a solver allocates a new graph of ~0.85 GB every training step (batch 1024,
// 200 steps) out of 512 KB tensors and frees it at the end. With glibc's defaults those
// blocks are mmap'd or trimmed back to the kernel when freed, so every step pays a page
// fault and a page clear for each 4 KB it touches again (~7% of a latent SDE step in
// perf). configure_heap() keeps freed memory in the process for the next step:
//  - M_MMAP_THRESHOLD 32 MiB (glibc's maximum): blocks below it come from the heap;
//  - M_TRIM_THRESHOLD 2 GiB (the largest int): the top of the heap is not returned after
//    each step.
// The process's resident memory therefore stays near its peak; tensor memory accounting
// (harness/memory) counts live tensors and is unaffected. Idempotent; a no-op off glibc.
namespace sdebench {

// Returns true when the policy was applied (glibc), false when the allocator has no such knobs.
bool configure_heap();

}  // namespace sdebench
