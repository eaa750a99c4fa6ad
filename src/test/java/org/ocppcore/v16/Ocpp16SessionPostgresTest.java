package org.ocppcore.v16;

import org.junit.jupiter.api.extension.ExtendWith;
import org.ocppcore.store.UsePostgres;

/** {@link Ocpp16SessionTest} against PostgreSQL (embedded): the same assertions, every store path on the fleet database. */
@ExtendWith(UsePostgres.class)
class Ocpp16SessionPostgresTest extends Ocpp16SessionTest {}
