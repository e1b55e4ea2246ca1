using System.Runtime.InteropServices;
using TorchSharp;

namespace Derby.Learning.Runtime;

/// <summary>
/// Loads LibTorch once per process and explains a failure: which native file, what the loader said was missing, and
/// how to fix it (on Debian 12 the usual cause is a libLibTorchSharp.so that the build did not patch for the host's
/// older libstdc++; see docs/decisions/0014-deep-features-torchsharp.md).
/// </summary>
public static class TorchRuntime
{
    /// <summary>The TorchSharp native library on Linux.</summary>
    public const string NativeLibraryFile = "libLibTorchSharp.so";

    private const string MissingVersion = "GLIBCXX_3.4.32";
    private static readonly Lock Gate = new();
    private static bool loaded;

    /// <summary>Loads LibTorch (CPU) if it is not loaded yet.</summary>
    /// <exception cref="LibTorchLoadException">LibTorch cannot be loaded; the message explains why and how to fix it.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded)
            {
                return;
            }

            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new LibTorchLoadException(Diagnose(AppContext.BaseDirectory, e.Message), e);
            }

            loaded = true;
        }
    }

    /// <summary>Sets the number of CPU threads LibTorch uses for intra-op parallelism (loads LibTorch first).</summary>
    public static void SetThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        EnsureLoaded();
        torch.set_num_threads(threads);
    }

    /// <summary>
    /// Explains why LibTorch did not load from an application folder: finds TorchSharp's native library there, asks the
    /// system loader for its own error and turns it into a message with the fix.
    /// </summary>
    /// <param name="baseDirectory">The application folder (where the build copies the native files).</param>
    /// <param name="loaderMessage">What TorchSharp reported.</param>
    internal static string Diagnose(string baseDirectory, string loaderMessage)
    {
        var candidates = new[]
        {
            Path.Combine(baseDirectory, "runtimes", "linux-x64", "native", NativeLibraryFile),
            Path.Combine(baseDirectory, NativeLibraryFile),
        };
        var head = $"LibTorch could not be loaded (TorchSharp said: {loaderMessage.Trim()}).";
        if (!OperatingSystem.IsLinux())
        {
            return $"{head} Derby builds and tests LibTorch on Linux x64 only (package libtorch-cpu-linux-x64).";
        }

        var file = candidates.FirstOrDefault(File.Exists);
        if (file is null)
        {
            return $"{head} {NativeLibraryFile} is not in {baseDirectory} (looked for {string.Join(" and ", candidates)}). " +
                "The project that runs this code must receive the native files: reference Derby.Learning (which references " +
                "TorchSharp and libtorch-cpu-linux-x64) and build it again.";
        }

        string loaderError;
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(file));
            return $"{head} The system loader can load {file} itself, so the failure is inside TorchSharp's initialisation.";
        }
        catch (DllNotFoundException e)
        {
            loaderError = e.Message;
        }
        catch (BadImageFormatException e)
        {
            loaderError = e.Message;
        }

        return DescribeLoaderError(file, loaderError);
    }

    /// <summary>The message for a loader error on <paramref name="file"/>.</summary>
    internal static string DescribeLoaderError(string file, string loaderError)
    {
        var head = $"LibTorch could not be loaded: the system loader refused {file}: {loaderError.Trim()}";
        if (loaderError.Contains(MissingVersion, StringComparison.Ordinal))
        {
            return $"{head}{Environment.NewLine}This host's libstdc++ predates GCC 13 and lacks {MissingVersion}, and this copy of " +
                $"{NativeLibraryFile} was not patched for it. Install the build prerequisites (Debian: apt-get install " +
                "python3 patchelf g++, or run scripts/prerequisites.sh) and build again: the Derby.Learning.LibTorchFix " +
                "MSBuild target (src/Derby.Learning/build) patches the copy in the output folder.";
        }

        if (loaderError.Contains("cannot open shared object file", StringComparison.Ordinal))
        {
            return $"{head}{Environment.NewLine}A library it depends on is missing from the folder of {file}: the LibTorch " +
                "native package (libtorch-cpu-linux-x64, or a CUDA build on GPU workers) was not copied there; build again " +
                "and check that the output folder holds libtorch.so, libtorch_cpu.so and libc10.so" +
                (loaderError.Contains("libderby_iosinit", StringComparison.Ordinal)
                    ? ", and libderby_iosinit.so, which the LibTorchFix target builds with g++"
                    : string.Empty) + ".";
        }

        return $"{head}{Environment.NewLine}Check the file with 'ldd {file}'.";
    }
}
