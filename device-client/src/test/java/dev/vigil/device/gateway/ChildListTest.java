package dev.vigil.device.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The PSK part of the child list a gateway pulls: who may use a PSK, and what a bad entry does. */
class ChildListTest {

    private static final CBORMapper CBOR = new CBORMapper();
    private static final String KEY_ID = "ni:///sha-256;" + "A".repeat(43);
    private static final byte[] PSK = "k".repeat(43).getBytes(StandardCharsets.US_ASCII);

    private static byte[] list(Map<String, Object> child) throws IOException {
        return CBOR.writeValueAsBytes(new Object[] {child});
    }

    @Test
    void a_proxy_childs_psk_is_found_by_its_name_and_never_printed() throws IOException {
        ChildList list = ChildList.parse(list(Map.of("name", "p1", "key", KEY_ID, "mode", "proxy", "psk", PSK)), null);
        assertThat(list.proxiedByPsk("p1")).hasValueSatisfying(c -> assertThat(c.psk()).isEqualTo(PSK));
        assertThat(list.proxiedByPsk("p2")).isEmpty();
        assertThat(list.toString()).contains("p1").doesNotContain(new String(PSK, StandardCharsets.US_ASCII));
    }

    @Test
    void a_proxy_child_without_a_psk_has_no_psk_identity() throws IOException {
        ChildList list = ChildList.parse(list(Map.of("name", "c1", "key", KEY_ID, "mode", "proxy")), null);
        assertThat(list.proxiedByPsk("c1")).isEmpty();
        assertThat(list.proxiedByKey(KEY_ID)).isPresent();
    }

    @Test
    void a_psk_on_a_relay_child_or_a_short_or_textual_psk_makes_the_list_unreadable() {
        for (Map<String, Object> bad : java.util.List.<Map<String, Object>>of(
                Map.of("name", "r1", "key", KEY_ID, "mode", "relay", "psk", PSK),
                Map.of("name", "p1", "key", KEY_ID, "mode", "proxy", "psk", new byte[15]),
                Map.of("name", "p1", "key", KEY_ID, "mode", "proxy", "psk", "k".repeat(43)))) {
            assertThatThrownBy(() -> ChildList.parse(list(bad), null)).isInstanceOf(IOException.class)
                    .hasMessage("a PSK that is not a proxy child's 16 bytes or more");
        }
    }
}
