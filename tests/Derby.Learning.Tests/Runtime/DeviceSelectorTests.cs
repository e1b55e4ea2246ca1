using Derby.Learning.Runtime;
using TorchSharp;

namespace Derby.Learning.Tests.Runtime;

public sealed class DeviceSelectorTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData(" CPU ")]
    public void Select_GivesTheCpu_ForCpu(string setting)
    {
        Assert.Equal(DeviceType.CPU, DeviceSelector.Select(setting).type);
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("")]
    [InlineData(null)]
    public void Select_GivesCudaOnlyWhereAvailable_ForAuto(string? setting)
    {
        var expected = torch.cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU;
        Assert.Equal(expected, DeviceSelector.Select(setting).type);
    }

    [Fact]
    public void Select_RefusesWithAClearMessage_WhenCudaIsAskedForWithoutCuda()
    {
        TorchRuntime.EnsureLoaded();
        if (torch.cuda.is_available())
        {
            Assert.Equal(DeviceType.CUDA, DeviceSelector.Select("cuda").type);
            return;
        }

        var error = Assert.Throws<InvalidOperationException>(() => DeviceSelector.Select("cuda"));
        Assert.Contains("CUDA is not available", error.Message, StringComparison.Ordinal);
        Assert.Contains("'cpu' or 'auto'", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => DeviceSelector.Select("cuda:0"));
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:x")]
    [InlineData("cuda:-1")]
    public void Select_RefusesUnknownSettings(string setting)
    {
        var error = Assert.Throws<ArgumentException>(() => DeviceSelector.Select(setting));
        Assert.Contains("cpu, cuda, auto", error.Message, StringComparison.Ordinal);
    }
}
