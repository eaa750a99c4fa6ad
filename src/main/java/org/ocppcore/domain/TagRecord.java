package org.ocppcore.domain;

import java.time.Instant;

/** A row of ChargeTags: an RFID tag or other idToken the operator knows. */
public record TagRecord(String tagId, String name, String parentTagId, Instant expiryDate, boolean blocked) {}
