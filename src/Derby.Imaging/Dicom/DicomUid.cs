using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Derby.Imaging.Dicom;

/// <summary>UIDs in the 2.25 arc (ISO/IEC 9834-8: a UUID-sized integer), either random or derived from a name.</summary>
public static class DicomUid
{
    public const string PetImageStorage = "1.2.840.10008.5.1.4.1.1.128";
    public const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";
    public const string ExplicitVRLittleEndian = "1.2.840.10008.1.2.1";
    public const string ExplicitVRBigEndian = "1.2.840.10008.1.2.2";

    /// <summary>The same name always gives the same UID: reproducible synthetic studies.</summary>
    public static string FromName(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var value = new BigInteger(hash.AsSpan(0, 16), isUnsigned: true, isBigEndian: true);
        return "2.25." + value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
