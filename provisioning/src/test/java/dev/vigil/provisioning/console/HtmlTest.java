package dev.vigil.provisioning.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Registry text reaches pages only escaped, and URL pieces decode the way they were encoded. */
class HtmlTest {

    @Test
    void markup_quotes_and_control_characters_are_escaped() {
        assertThat(Html.esc("<script>alert('x')</script> & \"y\"")).isEqualTo(
                "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;");
        assertThat(Html.esc("a\u0000b\u001bc")).isEqualTo("a\uFFFDb\uFFFDc");
        assertThat(Html.esc(null)).isEmpty();
    }

    @Test
    void a_device_link_escapes_the_name_in_the_text_and_encodes_it_in_the_path() {
        assertThat(Html.deviceLink("a\"><b>")).isEqualTo("<a href=\"/devices/a%22%3E%3Cb%3E\">a&quot;&gt;&lt;b&gt;</a>");
        assertThat(Html.table("t", List.of("<h>"), List.of(), "none <yet>")).isEqualTo(
                "<p class=\"empty\">none &lt;yet&gt;</p>");
    }

    @Test
    void path_segments_decode_one_by_one_so_an_encoded_slash_stays_in_its_segment() {
        assertThat(Paths.segments("/devices/%3Cscript%3Ex%3C%2Fscript%3E/suspend"))
                .containsExactly("devices", "<script>x</script>", "suspend");
        assertThat(Paths.segments("/devices/a+b")).containsExactly("devices", "a+b");
        assertThat(Paths.segments("/")).isEmpty();
        assertThat(Paths.segments("/devices/" + Paths.segment("pump 1/2"))).containsExactly("devices", "pump 1/2");
        assertThat(Paths.parameters("a=1&a=2&b=%zz&c")).containsEntry("a", "1").containsEntry("b", "")
                .containsEntry("c", "");
    }
}
