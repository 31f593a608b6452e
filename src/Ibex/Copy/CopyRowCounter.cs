using System.Buffers.Binary;

namespace Ibex.Copy;

/// <summary>
/// Counts the rows in a COPY data stream as it passes, without decoding a value: in text, one row per newline (a newline
/// inside a value is written as the two characters <c>\n</c>); in binary, by walking the tuple headers and skipping each
/// field by its length. Fed the stream in chunks of any size, in order.
/// </summary>
public sealed class CopyRowCounter(bool binary)
{
    // Binary header: 11-byte signature, 32-bit flags, 32-bit length of the header extension, then the extension.
    const int SignatureAndFlags = 15;

    readonly byte[] _word = new byte[4];
    int _wordHave;
    int _wordNeed;
    long _skip = binary ? SignatureAndFlags : 0;
    State _state = State.Header;
    int _fieldsLeft;

    enum State { Header, TupleStart, FieldLength, Ended }

    public long Rows { get; private set; }

    public void Add(ReadOnlySpan<byte> data)
    {
        if (!binary)
        {
            Rows += data.Count((byte)'\n');
            return;
        }
        while (!data.IsEmpty && _state != State.Ended)
        {
            if (_skip > 0)
            {
                var n = (int)Math.Min(_skip, data.Length);
                data = data[n..];
                _skip -= n;
                continue;
            }
            if (_wordNeed == 0)
                _wordNeed = _state == State.TupleStart ? 2 : 4;
            var take = Math.Min(_wordNeed - _wordHave, data.Length);
            data[..take].CopyTo(_word.AsSpan(_wordHave));
            _wordHave += take;
            data = data[take..];
            if (_wordHave == _wordNeed)
                Word();
        }
    }

    void Word()
    {
        var span = _word.AsSpan(0, _wordNeed);
        _wordHave = 0;
        _wordNeed = 0;
        switch (_state)
        {
            case State.Header:
                _skip = BinaryPrimitives.ReadInt32BigEndian(span);
                _state = State.TupleStart;
                break;
            case State.TupleStart:
                var fields = BinaryPrimitives.ReadInt16BigEndian(span);
                if (fields < 0)
                {
                    _state = State.Ended;
                    return;
                }
                Rows++;
                _fieldsLeft = fields;
                _state = fields == 0 ? State.TupleStart : State.FieldLength;
                break;
            case State.FieldLength:
                var length = BinaryPrimitives.ReadInt32BigEndian(span);
                _skip = Math.Max(0, length);
                if (--_fieldsLeft == 0)
                    _state = State.TupleStart;
                break;
        }
    }
}
