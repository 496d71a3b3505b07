package dev.k8sebpf.agent.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpKeyTest {

    @Test
    void v4EqualsItsV4MappedForm() throws Exception {
        IpKey plain = IpKey.parse("10.96.0.10");
        IpKey mapped = IpKey.parse("::ffff:10.96.0.10");
        assertThat(mapped).isEqualTo(plain).hasSameHashCodeAs(plain);
        assertThat(IpKey.of(new byte[] {10, 96, 0, 10})).isEqualTo(plain);
        byte[] mappedBytes = new byte[16];
        mappedBytes[10] = (byte) 0xff;
        mappedBytes[11] = (byte) 0xff;
        System.arraycopy(new byte[] {10, 96, 0, 10}, 0, mappedBytes, 12, 4);
        assertThat(IpKey.of(mappedBytes)).isEqualTo(plain);
        assertThat(plain.isV4()).isTrue();
        assertThat(plain.toString()).isEqualTo("10.96.0.10");
        assertThat(plain).isEqualTo(new IpKey(0, 0x0000_ffff_0a60_000aL));
    }

    @Test
    void v6IsNotV4() {
        IpKey v6 = IpKey.parse("fd00::10");
        assertThat(v6.isV4()).isFalse();
        assertThat(v6).isNotEqualTo(IpKey.parse("0.0.0.16"));
        assertThat(v6).isEqualTo(new IpKey(0xfd00_0000_0000_0000L, 0x10));
    }

    @ParameterizedTest
    @CsvSource({
            "2001:0db8:0000:0000:0000:ff00:0042:8329, 2001:db8::ff00:42:8329",
            "0:0:0:0:0:0:0:1, ::1",
            "::, ::",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",   // a single zero group is not shortened
            "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",            // the longest run wins
            "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",      // on a tie, the first run wins
            "FD00:ABCD::, fd00:abcd::",
            "1:0:0:0:0:0:0:0, 1::"})
    void v6TextIsRfc5952(String input, String expected) {
        assertThat(IpKey.parse(input).toString()).isEqualTo(expected);
    }

    @Test
    void hotPathHalvesMatchTheKey() throws Exception {
        byte[] v4 = new byte[16];
        System.arraycopy(InetAddress.getByName("127.0.0.7").getAddress(), 0, v4, 0, 4);
        IpKey v4Key = IpKey.parse("127.0.0.7");
        assertThat(IpKey.hiOf(v4, true)).isEqualTo(v4Key.hi());
        assertThat(IpKey.loOf(v4, true)).isEqualTo(v4Key.lo());

        byte[] v6 = InetAddress.getByName("fd00:1:2:3:4:5:6:7").getAddress();
        IpKey v6Key = IpKey.of(v6);
        assertThat(IpKey.hiOf(v6, false)).isEqualTo(v6Key.hi());
        assertThat(IpKey.loOf(v6, false)).isEqualTo(v6Key.lo());
        assertThat(v6Key.toString()).isEqualTo("fd00:1:2:3:4:5:6:7");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.0", "10.0.0.256", "1.2.3.4.5", "example.com", "fe80::1%eth0", "1::2::3", "10.0.0.1/24", "None"})
    void badTextIsRejectedWithTheText(String text) {
        assertThatThrownBy(() -> IpKey.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not an IP address: \"" + text + "\"");
    }

    @Test
    void wrongByteLength() {
        assertThatThrownBy(() -> IpKey.of(new byte[5])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5");
    }
}
