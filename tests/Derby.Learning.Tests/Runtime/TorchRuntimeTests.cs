using Derby.Learning.Runtime;
using TorchSharp;

namespace Derby.Learning.Tests.Runtime;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void EnsureLoaded_LoadsLibTorch_WhenTheBuildPatchedTheOutput()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var sum = torch.ones(2, 3).sum().item<float>();
        Assert.Equal(6f, sum);
    }
}
