package dev.k8sebpf.agent.httpparse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OpenStreamsTest {
    private final OpenStreams streams = new OpenStreams();

    @Test
    void findsEachRequestByItsStreamInWhateverOrderTheyEnd() {
        for (int stream = 1; stream <= 21; stream += 2) {
            streams.add(stream, 1000L * stream, HttpMethod.POST, stream == 7 ? null : "/p" + stream);
        }
        int seven = streams.find(7);
        assertThat(streams.path(seven)).isNull();
        streams.answer(streams.find(13), 200, 99);
        streams.remove(streams.find(5));
        int thirteen = streams.find(13);
        assertThat(streams.start(thirteen)).isEqualTo(13_000);
        assertThat(streams.status(thirteen)).isEqualTo(200);
        assertThat(streams.answeredAt(thirteen)).isEqualTo(99);
        assertThat(streams.path(thirteen)).isEqualTo("/p13");
        assertThat(streams.find(5)).isEqualTo(-1);
        assertThat(streams.status(streams.find(15))).as("a later stream is not answered by another's headers").isZero();
        assertThat(streams.size()).isEqualTo(10);
    }

    @Test
    void pastItsCapacityTheOldestRequestIsGivenUp() {
        for (int i = 0; i < OpenStreams.CAPACITY + 3; i++) {
            streams.add(2 * i + 1, i, HttpMethod.GET, "/x");
        }
        assertThat(streams.size()).isEqualTo(OpenStreams.CAPACITY);
        assertThat(streams.find(1)).isEqualTo(-1);
        assertThat(streams.find(5)).isEqualTo(-1);
        assertThat(streams.find(7)).isNotNegative();
        assertThat(streams.start(streams.find(2 * (OpenStreams.CAPACITY + 2) + 1))).isEqualTo(OpenStreams.CAPACITY + 2);
    }
}
