using System.Text;

namespace Derby.Application.Common;

/// <summary>
/// Free text people write into the study (review comments, query questions and answers): trimmed, NFC-normalised, at
/// most a given length, lines kept; control characters other than line breaks and tabs, bidirectional overrides (which
/// can make text read differently from what it says), other invisible formatting characters, U+FFFD and unpaired
/// surrogates are refused with the reason.
/// </summary>
public static class FreeText
{
    /// <summary>The normalised text, null when empty and not required; adds an error for the field otherwise.</summary>
    public static string? Normalize(string field, string? value, int maxLength, bool required, List<FieldError> errors, string? requiredMessage = null)
    {
        var text = value?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            if (required)
            {
                errors.Add(new FieldError(field, requiredMessage ?? "Required"));
            }

            return null;
        }

        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            var problem = char.IsSurrogate(c) ? "an unpaired surrogate (broken Unicode)"
                : c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069' ? "a bidirectional override, which can make text read differently from what it says"
                : char.IsControl(c) && c is not ('\n' or '\r' or '\t') ? "a control character"
                // Zero-width joiners and spaces, the BOM and other invisible formatting characters, and U+FFFD (what decoders
                // leave where text was not valid): refused like the bidirectional overrides (bad-input corpus, issue #10).
                : char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format ? "an invisible formatting character"
                : c == '\uFFFD' ? "U+FFFD, the replacement for text that was not valid where it came from"
                : null;
            if (problem is not null)
            {
                errors.Add(new FieldError(field, $"Contains {problem} (U+{(int)c:X4} at position {i + 1}); remove it"));
                return null;
            }
        }

        text = text.Normalize(NormalizationForm.FormC);
        if (text.Length > maxLength)
        {
            errors.Add(new FieldError(field, $"At most {maxLength} characters ({text.Length} given)"));
            return null;
        }

        return text;
    }
}
