package org.ocppcore.store;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.ocppcore.TestServer;

/**
 * Runs a test class against PostgreSQL instead of SQLite: every {@link TestServer} the class
 * starts (also in its inherited {@code @BeforeAll}) gets a fresh database on the shared embedded
 * PostgreSQL. Use it on a subclass of an existing test to run the same assertions on PostgreSQL:
 * {@code @ExtendWith(UsePostgres.class) class XPostgresTest extends XTest {}}.
 */
public final class UsePostgres implements BeforeAllCallback, AfterAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    TestServer.useDatabases(EmbeddedPostgresDatabases::freshDatabaseConfig);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestServer.useDatabases(null);
  }
}
