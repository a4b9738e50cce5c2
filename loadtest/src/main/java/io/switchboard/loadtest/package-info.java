/** The load generator and the wait-time simulator: command-line programs, loopback only. */
package io.switchboard.loadtest;
