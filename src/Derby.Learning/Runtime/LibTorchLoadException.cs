namespace Derby.Learning.Runtime;

/// <summary>LibTorch (TorchSharp's native libraries) could not be loaded; the message says which file, what is missing and how to fix it.</summary>
public sealed class LibTorchLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LibTorchLoadException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LibTorchLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the loader's own exception.</summary>
    public LibTorchLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
