namespace Derby.Application.Common;

/// <summary>A refused input: which field, and why, in words a site coordinator can act on.</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>Thrown by a use case when its input is invalid. Carries every error, not just the first.</summary>
public sealed class ValidationFailedException(IReadOnlyList<FieldError> errors)
    : Exception(string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
{
    public IReadOnlyList<FieldError> Errors { get; } = errors;
}

/// <summary>Thrown when the thing asked for does not exist or the caller may not see it (the two are not told apart).</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>Thrown when the caller may see the thing but not change it.</summary>
public sealed class ForbiddenException(string message) : Exception(message);

/// <summary>Thrown when the change does not fit the thing's current state (decided already, changed meanwhile): 409 with the reason.</summary>
public sealed class ConflictException(string message) : Exception(message);
