using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Derby.Imaging.Series;

/// <summary>Native 16-bit stored values to rescaled floats, vectorised; shared by <see cref="VolumeBuilder"/> and reader adapters.</summary>
internal static class StoredValueRescaler
{
    /// <summary>
    /// Stored 16-bit values (only the stored bits, sign-extended when signed, as the reader adapters decode them) to
    /// (v × slope + intercept) × factor in double, rounded once to float. With AVX2, eight pixels at a time: int → double is
    /// exact, multiply and add run as separate IEEE operations in the same order (no fused multiply-add) and double → float
    /// rounds to nearest, so every value is bit-identical to the scalar form.
    /// </summary>
    public static void Rescale16(ReadOnlySpan<byte> bytes, bool signed, int bitsStored, double slope, double intercept, double factor, Span<float> target)
    {
        var words = MemoryMarshal.Cast<byte, ushort>(bytes);
        var shift = 32 - bitsStored;
        var mask = (1 << bitsStored) - 1;
        var p = 0;
        // CT as scanners store it (slope 1, a whole-number intercept, no factor): v + intercept is a whole number below 2^24
        // in magnitude, which the double path computes exactly and rounds to float exactly: integer arithmetic and one
        // int → float conversion give the same bits at a quarter of the work.
        if (Avx2.IsSupported && slope == 1 && factor == 1 && intercept == Math.Round(intercept) && Math.Abs(intercept) <= 1 << 20)
        {
            ref var source = ref MemoryMarshal.GetReference(words);
            var vIntercept = Vector256.Create((int)intercept);
            var vMask = Vector256.Create(mask);
            ref var destination = ref MemoryMarshal.GetReference(target);
            for (; p <= words.Length - 8; p += 8)
            {
                var raw = Vector128.LoadUnsafe(ref source, (nuint)p);
                var stored = signed
                    ? Vector256.ShiftRightArithmetic(Vector256.ShiftLeft(Avx2.ConvertToVector256Int32(raw.AsInt16()), shift), shift)
                    : Avx2.ConvertToVector256Int32(raw) & vMask;
                Avx.ConvertToVector256Single(stored + vIntercept).StoreUnsafe(ref destination, (nuint)p);
            }
        }
        else if (Avx2.IsSupported)
        {
            ref var source = ref MemoryMarshal.GetReference(words);
            ref var destination = ref MemoryMarshal.GetReference(target);
            var vSlope = Vector256.Create(slope);
            var vIntercept = Vector256.Create(intercept);
            var vFactor = Vector256.Create(factor);
            var vMask = Vector256.Create(mask);
            for (; p <= words.Length - 8; p += 8)
            {
                var raw = Vector128.LoadUnsafe(ref source, (nuint)p);
                var stored = signed
                    ? Vector256.ShiftRightArithmetic(Vector256.ShiftLeft(Avx2.ConvertToVector256Int32(raw.AsInt16()), shift), shift)
                    : Avx2.ConvertToVector256Int32(raw) & vMask;
                var low = Avx.ConvertToVector256Double(stored.GetLower());
                var high = Avx.ConvertToVector256Double(stored.GetUpper());
                low = Avx.Multiply(Avx.Add(Avx.Multiply(low, vSlope), vIntercept), vFactor);
                high = Avx.Multiply(Avx.Add(Avx.Multiply(high, vSlope), vIntercept), vFactor);
                Avx.ConvertToVector128Single(low).StoreUnsafe(ref destination, (nuint)p);
                Avx.ConvertToVector128Single(high).StoreUnsafe(ref destination, (nuint)(p + 4));
            }
        }

        for (; p < words.Length; p++)
        {
            // Shifting the stored bits to the top and back sign-extends from the stored bit depth.
            var v = signed ? (int)(short)words[p] << shift >> shift : words[p] & mask;
            target[p] = (float)((v * slope + intercept) * factor);
        }
    }
}
