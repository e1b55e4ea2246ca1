namespace Derby.Application.Uploads;

/// <summary>
/// CRC-32 as zip uses it (IEEE 802.3, reflected polynomial 0xEDB88320). System.IO.Compression does not check it when
/// reading an entry, and it stops at the uncompressed size the central directory declares; so a header that understates
/// the size yields a silently truncated file unless the checksum is compared. (System.IO.Hashing has this, but is a package.)
/// </summary>
internal sealed class Crc32
{
    private static readonly uint[] Table = BuildTable();

    private uint _crc = 0xFFFFFFFF;

    public uint Value => ~_crc;

    public void Append(ReadOnlySpan<byte> data)
    {
        var crc = _crc;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        _crc = crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
