#pragma once
// SIGTERM as "stop at the next iteration boundary": Slurm sends it on scancel, at the time limit
// and on preemption, then SIGKILL after KillWait seconds. The handler only sets a flag (the only
// async-signal-safe thing to do); the training loop polls it, writes a checkpoint and returns with
// status "terminated", so `sdebench run --resume RUN_DIR` continues exactly where it stopped.
// Installed by `sdebench run` only: library users and tests keep the default behaviour.
namespace sdebench {

void install_sigterm_checkpoint();
bool stop_requested();
// Testing aid: what the SIGTERM handler does.
void request_stop();
void clear_stop_request();

}  // namespace sdebench
