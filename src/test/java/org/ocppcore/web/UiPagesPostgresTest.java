package org.ocppcore.web;

import org.junit.jupiter.api.extension.ExtendWith;
import org.ocppcore.store.UsePostgres;

/** {@link UiPagesTest} against PostgreSQL (embedded): the UI's own queries on the fleet database. */
@ExtendWith(UsePostgres.class)
class UiPagesPostgresTest extends UiPagesTest {}
