package org.ocppcore.domain;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * OCPP.Core's authorization rules, shared by every protocol version: an unknown tag is Invalid,
 * Blocked beats Expired, the tag's parent is its group (parentIdTag / groupIdToken), and
 * ConcurrentTx is only produced where the caller asked for the concurrency check.
 */
public final class Authorization {
  private Authorization() {}

  public enum Status { Accepted, Blocked, Expired, Invalid, ConcurrentTx }

  /** The verdict for a tag, {@code tag} being null when it is not in ChargeTags. */
  public static Status evaluate(TagRecord tag, Instant now) {
    if (tag == null) {
      return Status.Invalid;
    }
    if (tag.blocked()) {
      return Status.Blocked;
    }
    if (tag.expiryDate() != null && tag.expiryDate().isBefore(now)) {
      return Status.Expired;
    }
    return Status.Accepted;
  }

  /** The KEBA workaround (opt-in per charge point): such chargers send "<tag>_<serial>". */
  public static String cleanTag(String idTag, boolean cutAtUnderscore) {
    if (idTag == null || !cutAtUnderscore) {
      return idTag;
    }
    int cut = idTag.indexOf('_');
    return cut > 0 ? idTag.substring(0, cut) : idTag;
  }

  /** 1.6 IdTagInfo. */
  public static JsonObject idTagInfo16(Status status, TagRecord tag) {
    JsonObject info = new JsonObject().put("status", status.name());
    if (tag != null) {
      if (tag.expiryDate() != null) {
        info.put("expiryDate", Times.format(tag.expiryDate()));
      }
      if (tag.parentTagId() != null && !tag.parentTagId().isEmpty()) {
        info.put("parentIdTag", tag.parentTagId());
      }
    }
    return info;
  }

  /**
   * 2.x IdTokenInfo: an unknown token is {@code Unknown} (2.x has the precise status), the tag's
   * group is {@code groupIdToken}, the tag's expiry is the cache expiry.
   */
  public static JsonObject idTokenInfo2x(Status status, TagRecord tag) {
    String wire = status == Status.Invalid && tag == null ? "Unknown" : status.name();
    JsonObject info = new JsonObject().put("status", wire);
    if (tag != null) {
      if (tag.expiryDate() != null) {
        info.put("cacheExpiryDateTime", Times.format(tag.expiryDate()));
      }
      if (tag.parentTagId() != null && !tag.parentTagId().isEmpty()) {
        info.put("groupIdToken", new JsonObject().put("idToken", tag.parentTagId()).put("type", "Central"));
      }
    }
    return info;
  }

  /** Whether {@code stopTag} may end a transaction started by {@code startTag}: the same tag or the same group. */
  public static boolean mayStop(String startTagId, TagRecord startTag, String stopTagId, TagRecord stopTag, Status stopStatus) {
    if (startTagId != null && startTagId.equalsIgnoreCase(stopTagId)) {
      return true;
    }
    if (stopStatus != Status.Accepted) {
      return false;
    }
    if (startTag == null) {
      return true; // the start tag was deleted since: nothing to compare against
    }
    String startGroup = startTag.parentTagId();
    return startGroup != null && !startGroup.isEmpty() && stopTag != null && startGroup.equalsIgnoreCase(stopTag.parentTagId());
  }
}
