using CsCheck;
using SharpBpf.Abi;
using SharpBpf.Backend;
using SharpBpf.Linux.Tests.Support;
using SharpBpf.Runtime;
using Xunit.Abstractions;

namespace SharpBpf.Linux.Tests.Differential;

/// <summary>
/// Random sequences of map operations (creation with valid and invalid attributes, then element, batch, freeze and
/// info commands) run on the kernel and on the userspace backend; every errno, out count and byte is compared, and
/// the final contents too. Each compared call is one case; the total is printed and asserted.
/// </summary>
public sealed class MapOpsDifferentialTests(ITestOutputHelper output)
{
    private const int Scenarios = 2000;
    private const int MinimumCases = 10_000;

    [SkippableFact]
    public void RandomMapOperations_BothBackends_Agree()
    {
        KernelTestBase.RequireKernel();
        long cases = 0;
        using var kernel = new LinuxBackend();
        using var user = new UserspaceBackend(new UserspaceBackendOptions { PossibleCpus = kernel.PossibleCpus });
        using var pair = new BackendPair(kernel, user);

        MapScenarioGen.Scenario.Sample(scenario =>
        {
            var runner = new MapScenarioRunner(pair, scenario);
            try
            {
                runner.Run();
            }
            finally
            {
                runner.CloseAll();
            }

            cases += runner.Cases;
        }, iter: Scenarios, threads: 1);

        output.WriteLine($"map-operation differential: {cases} cases compared over {Scenarios} scenarios");
        Assert.True(cases >= MinimumCases, $"only {cases} cases compared (want >= {MinimumCases})");
    }
}
