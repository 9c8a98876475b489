package dev.vigil.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.bench.handshake.HandshakeLoad;
import dev.vigil.bench.handshake.HandshakeServer;
import dev.vigil.bench.sessions.SessionsLoad;
import dev.vigil.bench.sessions.SessionsServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Entry point of the JVMs {@link Fork} starts: {@code Child <role> args...}. */
public final class Child {

    /** Answers one command; returning null ends the child. */
    public interface Handler {
        ObjectNode handle(String[] command) throws Exception;
    }

    private static PrintStream protocol;

    private Child() {
    }

    public static void main(String[] args) throws Exception {
        // keep stdout for the protocol: anything else that prints goes to the log
        protocol = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        Quiet.apply();
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            Handler handler = switch (args[0]) {
                case "handshake-server" -> HandshakeServer.start(rest);
                case "handshake-load" -> HandshakeLoad.start(rest);
                case "sessions-server" -> SessionsServer.start(rest);
                case "sessions-load" -> SessionsLoad.start(rest);
                case "soak-load" -> dev.vigil.bench.soak.SoakLoad.start(rest);
                case "agent-heap" -> dev.vigil.bench.agent.AgentHeap.start(rest);
                case "keys-load" -> dev.vigil.bench.keys.KeysLoad.start(rest);
                default -> throw new IllegalArgumentException("unknown role " + args[0]);
            };
            serve(handler);
        } catch (Throwable e) {
            Ctx.failed("child " + (args.length > 0 ? args[0] : "?"), e);
            reply(error(e));
        }
        System.exit(0);
    }

    /** The ready message of a role. */
    public static ObjectNode object() {
        return Fork.JSON.createObjectNode();
    }

    public static void reply(ObjectNode node) {
        protocol.println(Fork.PREFIX + node.toString());
        protocol.flush();
    }

    private static ObjectNode error(Throwable e) {
        return object().put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private static void serve(Handler handler) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] command = line.trim().split("\\s+");
            if (command[0].equals("quit")) {
                break;
            }
            ObjectNode answer;
            try {
                answer = handler.handle(command);
            } catch (Throwable e) {
                Ctx.failed("command " + line.trim(), e);
                answer = error(e);
            }
            if (answer == null) {
                break;
            }
            reply(answer);
        }
    }
}
