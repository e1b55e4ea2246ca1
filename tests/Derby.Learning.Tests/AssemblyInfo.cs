// LibTorch's generator and thread settings are process-wide: tests that seed it must not interleave, and parallel
// TorchSharp tests would only fight over the 2 cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
