package dev.vigil.device.gateway;

import java.net.InetSocketAddress;
import java.util.function.Supplier;
import javax.crypto.SecretKey;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.HandshakeResultHandler;
import org.eclipse.californium.scandium.dtls.PskPublicInformation;
import org.eclipse.californium.scandium.dtls.PskSecretResult;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedPskStore;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.util.ServerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's PSK handshake check: an identity has a key only if it names a proxied child with a PSK in the list
 * the server last served; any other identity gets no key, and Scandium refuses the handshake.
 */
final class ChildPskStore implements AdvancedPskStore {

    private static final Logger LOG = LoggerFactory.getLogger("vigil.gateway");

    private final Supplier<ChildList> children;

    ChildPskStore(Supplier<ChildList> children) {
        this.children = children;
    }

    @Override
    public boolean hasEcdhePskSupported() {
        return true;
    }

    @Override
    public PskSecretResult requestPskSecretResult(ConnectionId cid, ServerNames serverName,
            PskPublicInformation identity, String hmacAlgorithm, SecretKey otherSecret, byte[] seed,
            boolean useExtendedMasterSecret) {
        String name = identity.isCompliantEncoding() ? identity.getPublicInfoAsString() : "";
        var child = children.get().proxiedByPsk(name);
        if (child.isEmpty()) {
            LOG.info("child PSK session refused: identity {} is not an assigned PSK child",
                    name.length() > 64 ? name.substring(0, 64) + "..." : name);
            return new PskSecretResult(cid, identity, null);
        }
        LOG.info("child PSK session {}", child.get().name());
        return new PskSecretResult(cid, identity, SecretUtil.create(child.get().psk(), PskSecretResult.ALGORITHM_PSK));
    }

    @Override
    public PskPublicInformation getIdentity(InetSocketAddress peerAddress, ServerNames virtualHost) {
        return null; // server only: never a client
    }

    @Override
    public void setResultHandler(HandshakeResultHandler resultHandler) {
        // synchronous: the list is in memory
    }
}
