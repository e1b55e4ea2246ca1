using Derby.Imaging.Series;

namespace Derby.Imaging.Tests.Series;

/// <summary>The vectorised rescale against the plain formula, (v × slope + intercept) × factor in double rounded once to float.</summary>
public sealed class StoredValueRescalerTests
{
    [Theory]
    [InlineData(false, 16, 1.0, -1024.0, 1.0)]   // CT, unsigned: the whole-number path
    [InlineData(true, 16, 1.0, 0.0, 1.0)]        // CT, signed
    [InlineData(true, 12, 1.0, -1024.0, 1.0)]    // 12 stored bits, signed: sign extension from bit 11
    [InlineData(false, 12, 1.0, -1000.0, 1.0)]   // 12 stored bits, unsigned: high bits masked off
    [InlineData(false, 16, 1.0, -1024.5, 1.0)]   // a fractional intercept: the double path
    [InlineData(true, 16, 0.0123, 0.0, 0.000377)] // PET: slope and SUV factor
    [InlineData(false, 16, 2.0, -2048.0, 1.0)]   // slope 2: the double path
    public void Rescale16_GivesTheScalarFormulasBits(bool signed, int bitsStored, double slope, double intercept, double factor)
    {
        var random = new Random(bitsStored * 31 + (signed ? 1 : 0));
        var bytes = new byte[2 * 1003];   // not a multiple of 8 pixels: the tail is scalar
        random.NextBytes(bytes);
        var target = new float[1003];

        StoredValueRescaler.Rescale16(bytes, signed, bitsStored, slope, intercept, factor, target);

        var shift = 32 - bitsStored;
        for (var p = 0; p < target.Length; p++)
        {
            var word = BitConverter.ToUInt16(bytes, 2 * p);
            var v = signed ? (int)(short)word << shift >> shift : word & ((1 << bitsStored) - 1);
            var expected = (float)((v * slope + intercept) * factor);
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(target[p]), $"pixel {p} (stored {v}): {target[p]:R}, expected {expected:R}");
        }
    }
}
