package dev.vigil.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.cipher.XECDHECryptography.SupportedGroup;

/**
 * Reads the clear-text part of a DTLS 1.2 handshake from captured datagrams: the groups the client
 * offers (ClientHello supported_groups), the suite the server picks (ServerHello) and the ECDHE group
 * it uses (ServerKeyExchange).
 */
public final class DtlsSniff {

    /** What was negotiated, as names. */
    public record Negotiated(List<String> offeredGroups, String suite, String group) {
        @Override
        public String toString() {
            return "suite " + suite + ", ECDHE " + group + " (client offered " + String.join(", ", offeredGroups) + ")";
        }
    }

    private DtlsSniff() {
    }

    public static Negotiated read(List<Map.Entry<Boolean, byte[]>> datagrams) {
        List<String> offered = null;
        String suite = "?";
        String group = "?";
        for (Map.Entry<Boolean, byte[]> datagram : datagrams) {
            byte[] d = datagram.getValue();
            int at = 0;
            while (at + 13 <= d.length) {
                int type = d[at] & 0xff;
                int epoch = u16(d, at + 3);
                int length = u16(d, at + 11);
                int body = at + 13;
                if (type == 22 && epoch == 0) {
                    int h = body;
                    while (h + 12 <= body + length && h + 12 <= d.length) {
                        int msgType = d[h] & 0xff;
                        int fragment = u24(d, h + 9);
                        int m = h + 12;
                        try {
                            if (msgType == 1 && datagram.getKey() && offered == null) {
                                offered = clientHelloGroups(d, m);
                            } else if (msgType == 2 && !datagram.getKey()) {
                                int p = m + 2 + 32;
                                p += 1 + (d[p] & 0xff);
                                suite = suiteName(u16(d, p));
                            } else if (msgType == 12 && !datagram.getKey() && (d[m] & 0xff) == 3) {
                                group = groupName(u16(d, m + 1));
                            }
                        } catch (ArrayIndexOutOfBoundsException e) {
                            // a fragment we cannot read whole: skip
                        }
                        h = m + fragment;
                    }
                }
                at = body + length;
            }
        }
        return new Negotiated(offered == null ? List.of("?") : offered, suite, group);
    }

    /**
     * Bytes of the clear-text (epoch 0) handshake messages in {@code datagrams}, header included, summed by
     * direction and message type: "device → server Certificate" etc. The encrypted Finished messages are not
     * among them.
     */
    public static Map<String, Integer> messageBytes(List<Map.Entry<Boolean, byte[]>> datagrams) {
        Map<String, Integer> sizes = new java.util.LinkedHashMap<>();
        for (Map.Entry<Boolean, byte[]> datagram : datagrams) {
            byte[] d = datagram.getValue();
            int at = 0;
            while (at + 13 <= d.length) {
                int type = d[at] & 0xff;
                int length = u16(d, at + 11);
                int body = at + 13;
                if (type == 25) {
                    break; // a record with a connection id (epoch > 0): its header is longer, and it is encrypted
                }
                if (type == 22 && u16(d, at + 3) == 0) {
                    for (int h = body; h + 12 <= body + length && h + 12 <= d.length;) {
                        int fragment = u24(d, h + 9);
                        String key = (datagram.getKey() ? "device → server " : "server → device ")
                                + messageName(d[h] & 0xff);
                        sizes.merge(key, 12 + fragment, Integer::sum);
                        h += 12 + fragment;
                    }
                }
                at = body + length;
            }
        }
        return sizes;
    }

    private static String messageName(int type) {
        return switch (type) {
            case 1 -> "ClientHello";
            case 2 -> "ServerHello";
            case 3 -> "HelloVerifyRequest";
            case 11 -> "Certificate";
            case 12 -> "ServerKeyExchange";
            case 13 -> "CertificateRequest";
            case 14 -> "ServerHelloDone";
            case 15 -> "CertificateVerify";
            case 16 -> "ClientKeyExchange";
            default -> "handshake type " + type;
        };
    }

    private static List<String> clientHelloGroups(byte[] d, int m) {
        int p = m + 2 + 32;
        p += 1 + (d[p] & 0xff); // session id
        p += 1 + (d[p] & 0xff); // cookie
        p += 2 + u16(d, p); // cipher suites
        p += 1 + (d[p] & 0xff); // compression methods
        int end = p + 2 + u16(d, p);
        p += 2;
        while (p + 4 <= end) {
            int type = u16(d, p);
            int len = u16(d, p + 2);
            if (type == 10) {
                List<String> groups = new ArrayList<>();
                for (int g = p + 6; g + 2 <= p + 4 + len; g += 2) {
                    groups.add(groupName(u16(d, g)));
                }
                return groups;
            }
            p += 4 + len;
        }
        return List.of("(no supported_groups)");
    }

    private static String groupName(int id) {
        SupportedGroup group = SupportedGroup.fromId(id);
        return group == null ? "0x" + Integer.toHexString(id) : group.name();
    }

    private static String suiteName(int code) {
        CipherSuite suite = CipherSuite.getTypeByCode(code);
        return suite == null ? "0x" + Integer.toHexString(code) : suite.name();
    }

    private static int u16(byte[] d, int at) {
        return (d[at] & 0xff) << 8 | d[at + 1] & 0xff;
    }

    private static int u24(byte[] d, int at) {
        return (d[at] & 0xff) << 16 | (d[at + 1] & 0xff) << 8 | d[at + 2] & 0xff;
    }
}
