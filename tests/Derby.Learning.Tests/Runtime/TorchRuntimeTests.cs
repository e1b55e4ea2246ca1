using System.Text;
using Derby.Learning.Runtime;
using TorchSharp;

namespace Derby.Learning.Tests.Runtime;

public sealed class TorchRuntimeTests
{
    private static readonly string NativeInOutput =
        Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", TorchRuntime.NativeLibraryFile);

    private static bool HostLacksGlibcxx3432()
    {
        var libstdcxx = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        return libstdcxx is not null && !Contains(File.ReadAllBytes(libstdcxx), "GLIBCXX_3.4.32");
    }

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.ASCII.GetBytes(needle)) >= 0;

    private static string PackageCopy()
    {
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", TorchRuntime.NativeLibraryFile);
    }

    [Fact]
    public void EnsureLoaded_LoadsLibTorch_WhenTheBuildPatchedTheOutput()
    {
        TorchRuntime.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        var sum = torch.ones(2, 3).sum().item<float>();
        Assert.Equal(6f, sum);
    }

    [Fact]
    public void LibTorchFixTarget_PatchesTheOutputCopyOnly_WhenTheHostLibstdcxxLacksGlibcxx3432()
    {
        var output = File.ReadAllBytes(NativeInOutput);
        if (!HostLacksGlibcxx3432())
        {
            Assert.False(Contains(output, "libderby_iosinit.so"));  // GCC 13+ host: left as shipped.
            return;
        }

        Assert.True(Contains(output, "libderby_iosinit.so"));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(NativeInOutput)!, "libderby_iosinit.so")));
        if (File.Exists(PackageCopy()))
        {
            Assert.False(Contains(File.ReadAllBytes(PackageCopy()), "libderby_iosinit.so"));  // The NuGet cache is never touched.
        }
    }

    [Fact]
    public void Diagnose_NamesTheVersionAndTheFix_ForAnUnpatchedCopy()
    {
        if (!HostLacksGlibcxx3432() || !File.Exists(PackageCopy()))
        {
            return;  // Only a host with an older libstdc++ can show the failure.
        }

        TorchRuntime.EnsureLoaded();  // LibTorch's own libraries are then found by name.
        var folder = Directory.CreateTempSubdirectory("derby-libtorch-");
        try
        {
            var native = Directory.CreateDirectory(Path.Combine(folder.FullName, "runtimes", "linux-x64", "native"));
            File.Copy(PackageCopy(), Path.Combine(native.FullName, TorchRuntime.NativeLibraryFile));

            var message = TorchRuntime.Diagnose(folder.FullName, "load failed");

            Assert.Contains(Path.Combine(native.FullName, TorchRuntime.NativeLibraryFile), message, StringComparison.Ordinal);
            Assert.Contains("GLIBCXX_3.4.32", message, StringComparison.Ordinal);
            Assert.Contains("patchelf", message, StringComparison.Ordinal);
            Assert.Contains("scripts/prerequisites.sh", message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void Diagnose_SaysWhereItLooked_WhenTheNativeLibraryIsMissing()
    {
        var folder = Path.Combine(Path.GetTempPath(), "derby-no-such-folder");
        var message = TorchRuntime.Diagnose(folder, "DllNotFoundException");
        Assert.Contains(Path.Combine(folder, "runtimes", "linux-x64", "native", TorchRuntime.NativeLibraryFile), message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cpu-linux-x64", message, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeLoaderError_NamesTheMissingLibrary_WhenADependencyIsNotThere()
    {
        var message = TorchRuntime.DescribeLoaderError("/app/libLibTorchSharp.so", "libtorch_cpu.so: cannot open shared object file: No such file or directory");
        Assert.Contains("libtorch_cpu.so: cannot open shared object file", message, StringComparison.Ordinal);
        Assert.Contains("libtorch-cpu-linux-x64", message, StringComparison.Ordinal);
    }
}
