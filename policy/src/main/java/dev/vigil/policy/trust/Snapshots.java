package dev.vigil.policy.trust;

import java.nio.ByteBuffer;

/** A device's trust state as {@value #SIZE} bytes for the database, and back. */
final class Snapshots {

    static final byte VERSION = 2;
    /** Version 1 had no gateway fence counters: read with them at 0. */
    static final int SIZE_V1 = 1 + 8 + 4 + 2 + 4 * 7 + 8 * 6 + 4 * 7 + 8 * 8 + 4 * 7 + 8 * 2;
    static final int SIZE = SIZE_V1 + 4 * 2;

    private Snapshots() {
    }

    /** Call under the device's lock. */
    static byte[] write(DeviceTrust d) {
        ByteBuffer out = ByteBuffer.allocate(SIZE);
        out.put(VERSION).putLong(d.deviceId);
        out.put((byte) d.tier().ordinal()).put(d.pinned).put(d.flags).put(d.severe).putShort(d.votes);
        out.putInt(d.primary).putInt(d.requests).putInt(d.firstS).putInt(d.scheduleS).putInt(d.dirtyS)
                .putInt(d.eventS).putInt(d.sequence);
        out.putLong(d.lastMs).putLong(d.conn).putLong(d.addr).putLong(d.prevConn).putLong(d.prevAddr)
                .putLong(d.newerMs);
        out.putFloat(d.interval).putFloat(d.credit).putFloat(d.bank).putFloat(d.size).putFloat(d.sizeDev)
                .putFloat(d.byteCredit).putFloat(d.byteBank);
        out.putLong(d.seen0).putLong(d.seen1).putLong(d.seen2).putLong(d.twice0).putLong(d.twice1).putLong(d.twice2)
                .putLong(d.used).putLong(d.denied);
        out.putFloat(d.off).putFloat(d.denials).putFloat(d.others).putFloat(d.fresh).putFloat(d.failures)
                .putFloat(d.refusals).putFloat(d.churn);
        out.putLong(d.recent0).putLong(d.recent1);
        out.putFloat(d.offGateway).putFloat(d.excess);
        return out.array();
    }

    /** Fills a fresh device from {@code snapshot}; returns its tier ordinal. */
    static int read(byte[] snapshot, DeviceTrust d) {
        ByteBuffer in = ByteBuffer.wrap(snapshot);
        byte version = snapshot.length == 0 ? 0 : in.get();
        if (!(snapshot.length == SIZE && version == VERSION || snapshot.length == SIZE_V1 && version == 1)) {
            throw new IllegalArgumentException("not a version " + VERSION + " trust snapshot (" + snapshot.length
                    + " bytes, expected " + SIZE + ")");
        }
        long id = in.getLong();
        if (id != d.deviceId) {
            throw new IllegalArgumentException("snapshot of device " + id + ", not " + d.deviceId);
        }
        int tier = in.get();
        if (tier < 0 || tier > 2) {
            throw new IllegalArgumentException("not a trust tier: " + tier);
        }
        d.pinned = in.get();
        d.flags = in.get();
        d.severe = in.get();
        d.votes = in.getShort();
        d.primary = in.getInt();
        d.requests = in.getInt();
        d.firstS = in.getInt();
        d.scheduleS = in.getInt();
        d.dirtyS = in.getInt();
        d.eventS = in.getInt();
        d.sequence = in.getInt();
        d.lastMs = in.getLong();
        d.conn = in.getLong();
        d.addr = in.getLong();
        d.prevConn = in.getLong();
        d.prevAddr = in.getLong();
        d.newerMs = in.getLong();
        d.interval = in.getFloat();
        d.credit = in.getFloat();
        d.bank = in.getFloat();
        d.size = in.getFloat();
        d.sizeDev = in.getFloat();
        d.byteCredit = in.getFloat();
        d.byteBank = in.getFloat();
        d.seen0 = in.getLong();
        d.seen1 = in.getLong();
        d.seen2 = in.getLong();
        d.twice0 = in.getLong();
        d.twice1 = in.getLong();
        d.twice2 = in.getLong();
        d.used = in.getLong();
        d.denied = in.getLong();
        d.off = in.getFloat();
        d.denials = in.getFloat();
        d.others = in.getFloat();
        d.fresh = in.getFloat();
        d.failures = in.getFloat();
        d.refusals = in.getFloat();
        d.churn = in.getFloat();
        d.recent0 = in.getLong();
        d.recent1 = in.getLong();
        if (version == VERSION) {
            d.offGateway = in.getFloat();
            d.excess = in.getFloat();
        }
        return tier;
    }
}
