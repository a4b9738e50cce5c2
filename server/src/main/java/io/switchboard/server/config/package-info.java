/**
 * The server's configuration: the JSON file of contract §4 read strictly (an unknown key is an error naming its path),
 * its defaults, the embedded default configuration, and the checks that stop a wrong configuration at start.
 */
package io.switchboard.server.config;
