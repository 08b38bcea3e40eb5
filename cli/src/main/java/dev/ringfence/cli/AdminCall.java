package dev.ringfence.cli;

import dev.ringfence.server.AdminClient;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * A command that makes admin API calls to an update server: exit 0 when they succeed, 1 with the server's reason
 * on stderr when it refuses (or a proxy in front of it answers with an error status), 3 when the server cannot be
 * reached or does not answer in time; bad arguments are picocli's exit 2.
 */
abstract class AdminCall extends ConsoleCommand {

  @CommandLine.Mixin
  @SuppressWarnings("NullAway.Init")
  RolloutCommand.Connection connection;

  /**
   * Makes the calls and prints what they answered.
   *
   * @param admin the client, connected and authenticated as the options say
   * @param out standard output
   * @throws IOException if the server cannot be reached
   */
  abstract void run(AdminClient admin, PrintWriter out) throws IOException;

  @Override
  final int run(PrintWriter out, PrintWriter err) throws IOException {
    try {
      run(connection.client(), out);
      return 0;
    } catch (AdminClient.AdminCallException e) {
      err.println("ringfence: refused: " + e.getMessage());
      return 1;
    } catch (AdminClient.UnreachableException e) {
      err.println("ringfence: " + e.getMessage());
      return RingfenceCli.EXIT_UNREACHABLE;
    }
  }
}
