using System.Text;
using Ibex.Apply;
using Ibex.Changes;
using Shouldly;
using Xunit;

namespace Ibex.Tests.Apply;

/// <summary>COPY text lines built straight from the rows' UTF-8 bytes (no server needed).</summary>
public sealed class CopyTextTests
{
    [Fact]
    public void Escapes_the_four_special_characters_and_writes_null_as_backslash_n()
    {
        var text = new CopyText();
        text.Append(RowImage.FromText(["a\tb", null, "line1\nline2\r", @"C:\path", "plain"]), [0, 1, 2, 3, 4]);
        Encoding.UTF8.GetString(text.Pending.Span).ShouldBe("a\\tb\t\\N\tline1\\nline2\\r\tC:\\\\path\tplain\n");
    }

    [Fact]
    public void Multibyte_characters_pass_unchanged_and_rows_follow_each_other()
    {
        var text = new CopyText();
        text.Append(RowImage.FromText(["Zürich 東京 🐐", "x"]), [1, 0]);
        text.Append(RowImage.FromText(["ä\\ö", ""]), [0, 1]);
        Encoding.UTF8.GetString(text.Pending.Span).ShouldBe("x\tZürich 東京 🐐\nä\\\\ö\t\n");
        text.Clear();
        text.Length.ShouldBe(0);
    }

    [Fact]
    public void A_value_larger_than_the_buffer_is_kept_whole()
    {
        var big = new string('\\', 200_000);
        var text = new CopyText();
        text.Append(RowImage.FromText([big]), [0]);
        text.Length.ShouldBe(400_001);
        text.Pending.Span[^1].ShouldBe((byte)'\n');
    }
}
