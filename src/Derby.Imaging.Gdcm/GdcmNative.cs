using System.Runtime.InteropServices;

namespace Derby.Imaging.Gdcm;

/// <summary>
/// Finds GDCM's native glue library for the managed binding. Debian installs it beside gdcm-sharp.dll, in a folder the
/// loader does not search; rather than ask users for LD_LIBRARY_PATH, the project resolves it itself.
/// </summary>
public static class GdcmNative
{
    public const string DefaultDirectory = "/usr/lib/cli/gdcm-sharp-3.0";
    private const string GlueName = "gdcmsharpglue";
    private static readonly Lock Gate = new();
    private static bool registered;

    /// <summary>Registers the resolver once; safe to call from every entry point.</summary>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (registered)
            {
                return;
            }

            NativeLibrary.SetDllImportResolver(typeof(gdcm.Reader).Assembly, Resolve);
            registered = true;
        }
    }

    private static IntPtr Resolve(string libraryName, System.Reflection.Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != GlueName)
        {
            return IntPtr.Zero;
        }

        var directory = Environment.GetEnvironmentVariable("DERBY_GDCM_DIR") is { Length: > 0 } custom ? custom : DefaultDirectory;
        var path = Path.Combine(directory, "lib" + GlueName + ".so");
        if (NativeLibrary.TryLoad(path, out var handle) || NativeLibrary.TryLoad("lib" + GlueName + ".so", assembly, searchPath, out handle))
        {
            return handle;
        }

        throw new DllNotFoundException(
            $"GDCM's native glue was not found at {path}: install Debian's libgdcm-cil package (or set DERBY_GDCM_DIR to its folder).");
    }
}
