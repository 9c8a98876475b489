package dev.vigil.device;

import dev.vigil.device.gateway.Gateway;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code vigil-device gateway}: the reference gateway ({@link Gateway}) on this device's own key and session.
 * Runs until stopped (SIGTERM).
 */
@Command(name = "gateway", description = "Run as a gateway: proxy children by DTLS on --listen, relay children on --relay-port.")
final class GatewayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions options;

    @Option(names = "--listen", required = true, paramLabel = "PORT",
            description = "Where proxy children connect (DTLS): PORT, udp/PORT or HOST:PORT.")
    String listen;

    @Option(names = "--relay-port", paramLabel = "PORT", description = "Where relay children send (UDP); none if absent.")
    String relayPort;

    @Option(names = "--oscore-listen", paramLabel = "PORT", description = "Where OSCORE children send (plain CoAP"
            + " over UDP; requests forwarded by kid, unread); none if absent.")
    String oscoreListen;

    @Option(names = "--child-rate", paramLabel = "PER_SECOND", defaultValue = "1",
            description = "Each proxy child's request rate at this gateway (default ${DEFAULT-VALUE}/s).")
    double childRate;

    @Option(names = "--child-burst", paramLabel = "N", defaultValue = "10",
            description = "Each proxy child's burst at this gateway (default ${DEFAULT-VALUE}).")
    double childBurst;

    @Option(names = "--pull", paramLabel = "SECONDS", defaultValue = "60",
            description = "How often the child list is pulled from the server (default ${DEFAULT-VALUE}).")
    long pullSeconds;

    @Override
    public Integer call() throws Exception {
        if (childRate <= 0 || childBurst < 1 || pullSeconds < 1) {
            throw new ParameterException(spec.commandLine(), "--child-rate must be > 0, --child-burst >= 1, --pull >= 1");
        }
        var key = DeviceKeys.load(options.state);
        var server = new InetSocketAddress(options.server().getHost(),
                options.server().getPort() < 0 ? 5684 : options.server().getPort());
        Gateway.Settings settings = new Gateway.Settings(options.state, address(listen),
                relayPort == null ? null : address(relayPort), server, childRate, childBurst, pullSeconds,
                oscoreListen == null ? null : address(oscoreListen));
        CountDownLatch stop = new CountDownLatch(1);
        try (Gateway gateway = new Gateway(settings, key, options.client(key))) {
            spec.commandLine().getOut().printf("gateway: children on udp/%d%s%n", gateway.port(),
                    (gateway.relayPort() < 0 ? "" : ", relay on udp/" + gateway.relayPort())
                    + (gateway.oscorePort() < 0 ? "" : ", OSCORE children on udp/" + gateway.oscorePort()));
            spec.commandLine().getOut().flush();
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return Main.OK;
    }

    private InetSocketAddress address(String text) {
        String value = text.startsWith("udp/") ? text.substring(4) : text;
        try {
            int colon = value.lastIndexOf(':');
            return colon < 0 ? new InetSocketAddress(Integer.parseInt(value))
                    : new InetSocketAddress(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "not a port or host:port: " + text);
        }
    }
}
