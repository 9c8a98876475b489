package dev.vigil.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Benchmarks run thousands of audited operations: keep the audit and event INFO lines out of the output. */
public final class Quiet {

    private Quiet() {
    }

    public static void apply() {
        for (String name : new String[] {"vigil.audit", "dev.vigil"}) {
            if (LoggerFactory.getLogger(name) instanceof Logger logger) {
                logger.setLevel(Level.WARN);
            }
        }
    }
}
