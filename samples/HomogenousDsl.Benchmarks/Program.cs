using BenchmarkDotNet.Running;
using HomogenousDsl.Benchmarks.Workloads;

// BenchmarkDotNet, e.g. `--filter '*'` or `--filter '*' --job short`.
BenchmarkSwitcher.FromAssembly(typeof(WorkloadRunners).Assembly).Run(args);
return 0;
