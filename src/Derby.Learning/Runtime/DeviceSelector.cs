using TorchSharp;

namespace Derby.Learning.Runtime;

/// <summary>
/// Chooses the LibTorch device from configuration. "cpu" is always the CPU; "cuda" (or "cuda:N") is a CUDA GPU and
/// fails with a clear message when CUDA is not available, rather than silently running on the CPU; "auto" (also an
/// empty setting) is the first CUDA GPU when <c>torch.cuda.is_available()</c>, else the CPU. The same code runs with a
/// CUDA LibTorch on a GPU worker; this repository's builds reference the CPU LibTorch, where "auto" is the CPU.
/// </summary>
public static class DeviceSelector
{
    /// <summary>The settings <see cref="Select"/> accepts.</summary>
    public static IReadOnlyList<string> Choices { get; } = ["cpu", "cuda", "auto"];

    /// <summary>Returns the device for a setting (case-insensitive): "cpu", "cuda", "cuda:N" or "auto".</summary>
    /// <exception cref="ArgumentException">An unknown setting.</exception>
    /// <exception cref="InvalidOperationException">"cuda" was asked for and CUDA is not available.</exception>
    /// <exception cref="LibTorchLoadException">LibTorch cannot be loaded.</exception>
    public static torch.Device Select(string? setting)
    {
        var choice = string.IsNullOrWhiteSpace(setting) ? "auto" : setting.Trim().ToLowerInvariant();
        if (choice == "cpu")
        {
            TorchRuntime.EnsureLoaded();
            return torch.CPU;
        }

        if (choice == "auto")
        {
            TorchRuntime.EnsureLoaded();
            return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        }

        var index = 0;
        if (choice != "cuda" && !(choice.StartsWith("cuda:", StringComparison.Ordinal) &&
                                  int.TryParse(choice.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)))
        {
            throw new ArgumentException(
                $"Unknown device '{setting}': use one of {string.Join(", ", Choices)} (or cuda:N for the N-th GPU).", nameof(setting));
        }

        TorchRuntime.EnsureLoaded();
        if (!torch.cuda.is_available())
        {
            throw new InvalidOperationException(
                $"Device '{setting}' was asked for but CUDA is not available in this process: the build references the CPU " +
                "LibTorch (libtorch-cpu-linux-x64) or the machine has no usable NVIDIA GPU and driver. Set the device to " +
                "'cpu' or 'auto', or run this on a GPU worker built with a CUDA LibTorch.");
        }

        var count = torch.cuda.device_count();
        if (index >= count)
        {
            throw new InvalidOperationException($"Device '{setting}' was asked for but only {count} CUDA device(s) exist.");
        }

        return new torch.Device(DeviceType.CUDA, index);
    }
}
