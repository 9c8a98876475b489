package dev.vigil.policy.trust;

/** {@link TrustSettings} as the per-request arithmetic uses them: floats, per-second rates, seconds. */
final class Tuning {

    final TrustSettings settings;
    final float wRate, wVolume, wCohort, wSchedule, wNew, wDenials, wScan, wFailures, wSuspended, wChurn, wFirmware, wOffGateway, wExcess;
    final float rateTolerance, volumeTolerance, otherTolerance;
    final float offSaturation, denialSaturation, scanSpan, failureSaturation, stuffing, churnTolerance;
    final float eventLeakPerSecond, churnLeakPerSecond;
    final float learningRate, bankCap;
    final int warmup, limitedBelow, quarantinedBelow, recoverAt;
    final long cleanSeconds, maturitySeconds;

    Tuning(TrustSettings s) {
        settings = s;
        TrustSettings.Weights w = s.weights();
        wRate = w.rate();
        wVolume = w.volume();
        wCohort = w.cohortRate();
        wSchedule = w.schedule();
        wNew = w.newResource();
        wDenials = w.denials();
        wScan = w.scanning();
        wFailures = w.handshakeFailures();
        wSuspended = w.suspendedKey();
        wChurn = w.addressChurn();
        wFirmware = w.firmware();
        wOffGateway = w.offGateway();
        wExcess = w.gatewayExcess();
        rateTolerance = (float) s.rateTolerance();
        volumeTolerance = (float) s.volumeTolerance();
        otherTolerance = s.otherRequestTolerance();
        offSaturation = s.offScheduleSaturation();
        denialSaturation = s.denialSaturation();
        scanSpan = s.scanSaturation() - 1;
        failureSaturation = s.failureSaturation();
        stuffing = s.stuffingFailures();
        churnTolerance = s.churnTolerance();
        eventLeakPerSecond = (float) (1.0 / s.eventMemory().toMillis() * 1000);
        churnLeakPerSecond = (float) (1.0 / s.churnMemory().toMillis() * 1000);
        learningRate = (float) s.learningRate();
        bankCap = s.bankCap();
        warmup = s.warmupRequests();
        limitedBelow = s.limitedBelow();
        quarantinedBelow = s.quarantinedBelow();
        recoverAt = s.recoverAtOrAbove();
        cleanSeconds = s.cleanPeriod().toSeconds();
        maturitySeconds = s.scheduleMaturity().toSeconds();
    }
}
