using Microsoft.AspNetCore.Identity;

namespace Derby.Infrastructure.Identity;

/// <summary>
/// The password rules beyond Identity's length and character classes (ADR 23), applied wherever a password is set (the
/// change-password page, account creation and resets): not the user name, nor a password that contains it, and not one
/// of the passwords most often tried first.
/// </summary>
public sealed class DerbyPasswordValidator : IPasswordValidator<DerbyUser>
{
    /// <summary>Shortest user name that a password may not contain (shorter names, like "pi", occur by chance).</summary>
    private const int ContainedNameMinLength = 4;

    /// <summary>
    /// Common passwords of 12 characters or more (shorter ones already fail the length rule), compared without case:
    /// the head of the public breach lists, keyboard walks, and the study's own names.
    /// </summary>
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "123456789012", "1234567890123", "12345678901234", "123456789abc", "1234567890ab", "1234567890qwe", "0987654321qw",
        "111111111111", "000000000000", "123123123123", "121212121212", "112233445566", "password1234", "password12345",
        "password123!", "Password1234", "Password123!", "passw0rd1234", "p@ssw0rd1234", "passwordpassword", "qwertyuiop12",
        "qwertyuiopas", "qwerty123456", "Qwerty123456", "qwertyqwerty", "1q2w3e4r5t6y", "1qaz2wsx3edc", "q1w2e3r4t5y6",
        "zaq12wsxcde3", "asdfghjkl123", "zxcvbnm12345", "iloveyou1234", "iloveyouiloveyou", "abc123abc123",
        "abcdefghijkl", "abcd1234abcd", "Abcd12345678", "letmein12345", "welcome12345", "Welcome12345", "Welcome1234!",
        "changeme1234", "Changeme1234", "administrator", "Administrator1", "admin1234567", "Admin1234567", "adminadmin12",
        "rootroot1234", "trustno11234", "sunshine1234", "princess1234", "football1234", "baseball1234", "dragon123456",
        "monkey123456", "master123456", "superman1234", "starwars1234", "whatever1234", "computer1234", "internet1234",
        "secret123456", "Secret123456", "summer202420", "Summer2024!!", "Winter2024!!", "Spring2025!!", "Autumn2025!!",
        "December2025", "January20261", "hospital1234", "Hospital1234", "research1234", "clinical1234", "oncology1234",
        "derby1234567", "Derby1234567", "derbyderby12", "DerbyDerby12", "derbyplus123", "DerbyPlus123", "bevacizumab1",
        "Bevacizumab1", "colorectal12", "Colorectal12",
    };

    public Task<IdentityResult> ValidateAsync(UserManager<DerbyUser> manager, DerbyUser user, string? password)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(user);
        var errors = new List<IdentityError>();
        var value = password ?? "";
        var name = user.UserName?.Trim() ?? "";
        if (name.Length > 0 && (string.Equals(value, name, StringComparison.OrdinalIgnoreCase)
            || (name.Length >= ContainedNameMinLength && value.Contains(name, StringComparison.OrdinalIgnoreCase))))
        {
            errors.Add(new IdentityError { Code = "PasswordContainsUserName", Description = "The password must not be or contain your user name." });
        }

        if (Common.Contains(value))
        {
            errors.Add(new IdentityError { Code = "PasswordTooCommon", Description = "This password is one of the most common ones, tried first by attackers: choose another." });
        }

        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]));
    }

    /// <summary>Whether <paramref name="password"/> is on the common-password list (for tests and messages).</summary>
    public static bool IsCommon(string password) => Common.Contains(password);
}
