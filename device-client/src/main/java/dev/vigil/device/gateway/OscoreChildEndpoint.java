package dev.vigil.device.gateway;

import java.net.InetSocketAddress;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

/** The plain CoAP/UDP port OSCORE children send to; every request goes to the {@link OscoreForwarder}. */
final class OscoreChildEndpoint {

    private OscoreChildEndpoint() {
    }

    static CoapServer start(InetSocketAddress listen, OscoreForwarder forwarder) {
        Configuration config = new Configuration(CoapConfig.DEFINITIONS, UdpConfig.DEFINITIONS);
        CoapServer server = new CoapServer(config);
        server.addEndpoint(new CoapEndpoint.Builder().setInetSocketAddress(listen).setConfiguration(config)
                .setLoggingTag("gateway-oscore").build());
        server.setMessageDeliverer(forwarder);
        server.start();
        return server;
    }
}
