package dev.vigil.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A step run on a thread of its own, so that a test can wait for the server to die instead. A crashed server
 * never answers: {@link #stop()} interrupts whatever the step still waits for (as killing a client would) and
 * waits until it has ended, so nothing it does can overlap what the test does next.
 */
final class CrashDriver {

    private final Thread thread;
    private final CompletableFuture<String> done = new CompletableFuture<>();

    private CrashDriver(String name, Callable<?> step) {
        thread = new Thread(() -> {
            try {
                done.complete(String.valueOf(step.call()));
            } catch (Throwable e) {
                done.complete("failed: " + e);
            }
        }, "crash-driver-" + name);
        thread.setDaemon(true);
    }

    static CrashDriver start(String name, Callable<?> step) {
        CrashDriver driver = new CrashDriver(name, step);
        driver.thread.start();
        return driver;
    }

    /** Completed with the step's outcome when it ends. */
    CompletableFuture<String> done() {
        return done;
    }

    String outcome() {
        return done.getNow("(still running)");
    }

    void stop() throws InterruptedException {
        thread.interrupt();
        thread.join(TimeUnit.MINUTES.toMillis(1));
        assertThat(thread.isAlive()).as("%s still running after its server died", thread.getName()).isFalse();
    }
}
