package dev.vigil.server;

import java.util.ArrayList;
import java.util.List;
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
    static final CipherSuite LINK_SUITE = CipherSuite.TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256;

    private ClusterConnectors() {
    }

    /**
     * The node id into the Connection IDs; and the cipher suites as a preselection instead of a fixed list:
     * Scandium builds the links' connector from this same configuration, with a PSK store only, so a fixed list
     * of certificate suites would leave it none. Devices still get only the configured suites (the certificate
     * suites Scandium derives from the node's key, filtered by the preselection); the links only the PSK one.
     */
    static void configure(Configuration config, ClusterSettings cluster) {
        config.set(DtlsConfig.DTLS_CONNECTION_ID_NODE_ID, cluster.nodeId());
        List<CipherSuite> suites = new ArrayList<>(config.get(DtlsConfig.DTLS_CIPHER_SUITES));
        suites.add(LINK_SUITE);
        config.set(DtlsConfig.DTLS_PRESELECTED_CIPHER_SUITES, suites);
        config.set(DtlsConfig.DTLS_CIPHER_SUITES, null);
    }

    static DtlsManagedClusterConnector create(DtlsConnectorConfig dtls, ClusterSettings cluster) {
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
