package dev.vigil.device.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On SIGTERM, {@code vigil-device run} closes its agent twice: the shutdown hook does, and so does the
 * try-with-resources once {@link Agent#run} returns. Neither may fail, whichever comes first.
 */
class AgentCloseTest {

    @TempDir
    Path state;

    Agent agent() throws Exception {
        return new Agent(AgentConfig.load(state, Map.of("server", "coaps://127.0.0.1:9", "sources", "sim")));
    }

    @Test
    void closing_an_agent_again_is_harmless() throws Exception {
        Agent agent = agent();
        agent.close();

        assertThatCode(agent::close).doesNotThrowAnyException();
    }

    @Test
    void two_threads_closing_at_once_both_return_cleanly_and_the_queue_can_be_opened_again() throws Exception {
        Agent agent = agent();

        CompletableFuture<Void> hook = CompletableFuture.runAsync(() -> {
            try {
                agent.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        agent.close();
        hook.join();

        try (ReadingQueue queue = ReadingQueue.open(state.resolve("queue"), ReadingQueue.DEFAULT_MAX_BYTES)) {
            assertThat(queue.depth()).isZero();
        }
    }
}
