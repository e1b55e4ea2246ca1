namespace Derby.Application.Tests.Uploads;

/// <summary>
/// A forward-only, non-seekable stream that makes up its bytes as they are read (byte i is (i * 31 + 7) mod 251) and
/// records the largest read asked of it; optionally runs a callback once a position is passed.
/// </summary>
internal sealed class GeneratedStream(long length, long callbackAt = -1, Action? callback = null) : Stream
{
    private long _position;

    public int LargestRead { get; private set; }

    public int Reads { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public static byte At(long i) => (byte)((i * 31 + 7) % 251);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        LargestRead = Math.Max(LargestRead, buffer.Length);
        Reads++;
        var n = (int)Math.Min(buffer.Length, length - _position);
        for (var i = 0; i < n; i++)
        {
            buffer[i] = At(_position + i);
        }

        var before = _position;
        _position += n;
        if (callback is not null && before < callbackAt && _position >= callbackAt)
        {
            callback();
        }

        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
