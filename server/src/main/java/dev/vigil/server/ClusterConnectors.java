package dev.vigil.server;

import javax.crypto.SecretKey;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.util.SecretUtil;
import org.eclipse.californium.scandium.DtlsManagedClusterConnector;
import org.eclipse.californium.scandium.config.DtlsClusterConnectorConfig;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;

/**
 * Scandium's managed cluster connector for a node of a static cluster. Its internal port carries the links
 * between nodes: DTLS with the cluster key as PSK ({@link #LINK_SUITE}), from whose sessions the MAC over each
 * forwarded record's header is derived, so no one on the internal network can inject records under a forged
 * device address.
 */
final class ClusterConnectors {

    static final String IDENTITY = "vigil-cluster";
    static final int MIN_CID_LENGTH = 5;
    static final CipherSuite LINK_SUITE = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;

    private ClusterConnectors() {
    }

    /** The node id into the Connection IDs, which are then {@link #MIN_CID_LENGTH} bytes at least. */
    static void configure(Configuration config, ClusterSettings cluster) {
        config.set(DtlsConfig.DTLS_CONNECTION_ID_NODE_ID, cluster.nodeId());
        // the node byte comes on top of the 4 random bytes a single node uses (Scandium wants 5 at least)
        config.set(DtlsConfig.DTLS_CONNECTION_ID_LENGTH,
                Math.max(MIN_CID_LENGTH, config.get(DtlsConfig.DTLS_CONNECTION_ID_LENGTH)));
    }

    /**
     * The device connector of {@code dtls}, with links to the other nodes. Scandium builds the links' connector
     * from the device connector's configuration object, which nothing reads once {@code dtls} is built (its
     * suites and signatures are fixed then): it is turned into the links' configuration — the PSK suite only,
     * no certificate signatures — so the links never offer the devices' suites and devices never get PSK.
     */
    static DtlsManagedClusterConnector create(DtlsConnectorConfig dtls, ClusterSettings cluster) {
        Configuration links = dtls.getConfiguration();
        links.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, LINK_SUITE);
        links.set(DtlsConfig.DTLS_PRESELECTED_CIPHER_SUITES, null);
        links.set(DtlsConfig.DTLS_SIGNATURE_AND_HASH_ALGORITHMS, null);
        SecretKey key = SecretUtil.create(cluster.key(), "PSK");
        DtlsClusterConnectorConfig internal = DtlsClusterConnectorConfig.builder()
                .setAddress(cluster.address())
                .setSecure(IDENTITY, key)
                .setClusterMac(true)
                .build();
        DtlsManagedClusterConnector connector = new DtlsManagedClusterConnector(dtls, internal);
        SecretUtil.destroy(key);
        connector.setClusterNodesProvider(new ClusterNodes(cluster.others()));
        return connector;
    }
}
