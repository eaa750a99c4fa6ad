package org.ocppcore.v2;

import org.junit.jupiter.api.extension.ExtendWith;
import org.ocppcore.store.UsePostgres;

/** {@link Ocpp2MessagesTest} against PostgreSQL (embedded): the same assertions, every store path on the fleet database. */
@ExtendWith(UsePostgres.class)
class Ocpp2MessagesPostgresTest extends Ocpp2MessagesTest {}
