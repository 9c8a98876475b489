package dev.vigil.provisioning.firmware;

import java.time.Instant;

/** A published image: its id, what its signed manifest says, who signed and who published it. */
public record PublishedFirmware(long id, FirmwareManifest manifest, String signedBy, Instant publishedAt,
        String publishedBy) {
}
