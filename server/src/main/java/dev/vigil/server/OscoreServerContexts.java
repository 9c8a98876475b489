package dev.vigil.server;

import dev.vigil.provisioning.gateways.OscoreContexts;
import dev.vigil.provisioning.gateways.OscoreMaterial;
import java.util.HexFormat;
import java.util.Optional;
import org.eclipse.californium.cose.AlgorithmID;
import org.eclipse.californium.oscore.CoapOSException;
import org.eclipse.californium.oscore.HashMapCtxDB;
import org.eclipse.californium.oscore.OSCoreCtx;
import org.eclipse.californium.oscore.OSException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's OSCORE contexts (cf-oscore's context store), loaded from the registry by kid the first time a child's
 * request arrives and kept (with its replay window) from then on. A context loaded after a restart refuses every
 * sequence number at or below the last one accepted before it (RFC 8613 Appendix B.1.2): the in-memory window is
 * gone, so the stored floor stands in for it and nothing older is taken on trust.
 */
final class OscoreServerContexts extends HashMapCtxDB {

    private static final Logger LOG = LoggerFactory.getLogger(OscoreServerContexts.class);
    private static final int REPLAY_WINDOW = 32;
    private static final int MAX_UNFRAGMENTED = 4096;

    private final OscoreContexts registry;

    OscoreServerContexts(OscoreContexts registry) {
        this.registry = registry;
    }

    @Override
    public synchronized OSCoreCtx getContext(byte[] rid, byte[] idContext) throws CoapOSException {
        if (rid != null && super.getContext(rid) == null) {
            load(HexFormat.of().formatHex(rid)).ifPresent(this::addContext);
        }
        return super.getContext(rid, idContext);
    }

    private Optional<OSCoreCtx> load(String kid) {
        Optional<OscoreMaterial> material;
        try {
            material = registry.byKid(kid);
        } catch (IllegalStateException e) { // sealed with another key: this node's oscore-key is not the fleet's
            LOG.error("OSCORE context for kid {} does not open: {}", kid, e.getMessage());
            return Optional.empty();
        }
        if (material.isEmpty()) {
            return Optional.empty();
        }
        OscoreMaterial m = material.get();
        try {
            OSCoreCtx ctx = new OSCoreCtx(m.masterSecret(), false, AlgorithmID.AES_CCM_16_64_128,
                    m.childRecipientId(), m.childSenderId(), AlgorithmID.HKDF_HMAC_SHA_256, REPLAY_WINDOW, m.salt(),
                    null, MAX_UNFRAGMENTED);
            if (m.replayFloor() >= 0) {
                ctx.setRecipientSeq((int) m.replayFloor());
                ctx.setRecipientReplayWindow(-1); // every number below the floor counts as seen
            }
            return Optional.of(ctx);
        } catch (OSException e) {
            LOG.warn("OSCORE context of {} (kid {}) cannot be built: {}", m.child(), kid, e.getMessage());
            return Optional.empty();
        }
    }
}
