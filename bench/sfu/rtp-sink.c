/*
 * RTP sink for the SFU bench: receives on a few UDP sockets with recvmmsg and
 * measures, for every RTP packet whose payload carries the generator's
 * scheduled send time (CLOCK_MONOTONIC ns), the delay until it was read here.
 * Node's dgram costs ~10 us per packet on this class of machine, which would
 * cap the bench far below what one mediasoup worker forwards; this costs well
 * under 1 us.
 *
 * Usage: rtp-sink <sockets>. Prints "PORTS p1 p2 ..." then obeys stdin lines:
 *   W <start_ns> <end_ns>   count packets scheduled in [start, end) from now on (resets counters)
 *   R                       print one JSON line: counters and the latency histogram (us, count pairs)
 *   Q                       exit
 * Payload layout (after the RTP header and extensions): "CVNB", u32 seq, u64 scheduled ns (little endian).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKETS 16
#define BATCH 64
#define PKT 2048
#define US_BUCKETS (1 << 20) /* exact microseconds up to ~1.05 s */
#define MS_BUCKETS 60000     /* then milliseconds up to 60 s */

static uint32_t hist_us[US_BUCKETS];
static uint32_t hist_ms[MS_BUCKETS];
static uint64_t received, outside, rtcp, bad, late_overflow;
static uint64_t win_start, win_end;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void reset(void) {
  memset(hist_us, 0, sizeof hist_us);
  memset(hist_ms, 0, sizeof hist_ms);
  received = outside = rtcp = bad = late_overflow = 0;
}

static void packet(const uint8_t *p, size_t len, uint64_t t) {
  if (len < 12 || (p[0] >> 6) != 2) { bad++; return; }
  uint8_t pt = p[1] & 0x7f;
  if (pt >= 72 && pt <= 76) { rtcp++; return; }
  size_t off = 12 + 4 * (p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (len < off + 4) { bad++; return; }
    off += 4 + 4 * (size_t)((p[off + 2] << 8) | p[off + 3]);
  }
  /* A VP8 payload descriptor may precede our marker: look within the first bytes. */
  const uint8_t *m = NULL;
  for (size_t i = off; i + 16 <= len && i < off + 16; i++) {
    if (p[i] == 'C' && p[i + 1] == 'V' && p[i + 2] == 'N' && p[i + 3] == 'B') { m = p + i; break; }
  }
  if (!m) { bad++; return; }
  uint64_t sched;
  memcpy(&sched, m + 8, 8);
  if (sched < win_start || sched >= win_end) { outside++; return; }
  received++;
  uint64_t us = t > sched ? (t - sched) / 1000 : 0;
  if (us < US_BUCKETS) hist_us[us]++;
  else if (us / 1000 < MS_BUCKETS) hist_ms[us / 1000]++;
  else late_overflow++;
}

static void report(void) {
  printf("{\"received\":%llu,\"outside\":%llu,\"rtcp\":%llu,\"bad\":%llu,\"overflow\":%llu,\"hist\":[",
         (unsigned long long)received, (unsigned long long)outside, (unsigned long long)rtcp, (unsigned long long)bad,
         (unsigned long long)late_overflow);
  int first = 1;
  for (uint32_t i = 0; i < US_BUCKETS; i++) {
    if (!hist_us[i]) continue;
    printf("%s[%u,%u]", first ? "" : ",", i, hist_us[i]);
    first = 0;
  }
  for (uint32_t i = 0; i < MS_BUCKETS; i++) {
    if (!hist_ms[i]) continue;
    printf("%s[%llu,%u]", first ? "" : ",", (unsigned long long)i * 1000ull, hist_ms[i]);
    first = 0;
  }
  printf("]}\n");
  fflush(stdout);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 4;
  if (n < 1 || n > MAX_SOCKETS) n = 4;
  struct pollfd fds[MAX_SOCKETS + 1];
  printf("PORTS");
  for (int i = 0; i < n; i++) {
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    int buf = 8 << 20;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); return 1; }
    socklen_t al = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &al);
    printf(" %d", ntohs(a.sin_port));
    fds[i].fd = s;
    fds[i].events = POLLIN;
  }
  printf("\n");
  fflush(stdout);
  fds[n].fd = STDIN_FILENO;
  fds[n].events = POLLIN;
  win_start = UINT64_MAX;
  win_end = 0;

  static uint8_t bufs[BATCH][PKT];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  char line[256];
  size_t line_len = 0;
  for (;;) {
    if (poll(fds, n + 1, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    /* Let packets gather for a moment: one wakeup per ~100 packets instead of one per packet.
       Costs at most 0.25 ms of measured latency, the same for the floor and the SFU. */
    struct timespec nap = {0, 250000};
    nanosleep(&nap, NULL);
    for (int i = 0; i < n; i++) fds[i].revents |= POLLIN;
    for (int i = 0; i < n; i++) {
      if (!(fds[i].revents & POLLIN)) continue;
      for (;;) {
        for (int k = 0; k < BATCH; k++) {
          iov[k].iov_base = bufs[k];
          iov[k].iov_len = PKT;
          memset(&msgs[k].msg_hdr, 0, sizeof msgs[k].msg_hdr);
          msgs[k].msg_hdr.msg_iov = &iov[k];
          msgs[k].msg_hdr.msg_iovlen = 1;
        }
        int got = recvmmsg(fds[i].fd, msgs, BATCH, MSG_DONTWAIT, NULL);
        if (got <= 0) break;
        uint64_t t = now_ns();
        for (int k = 0; k < got; k++) packet(bufs[k], msgs[k].msg_len, t);
        if (got < BATCH) break;
      }
    }
    if (fds[n].revents & (POLLIN | POLLHUP)) {
      ssize_t r = read(STDIN_FILENO, line + line_len, sizeof line - 1 - line_len);
      if (r <= 0) return 0;
      line_len += (size_t)r;
      char *nl;
      while ((nl = memchr(line, '\n', line_len)) != NULL) {
        *nl = 0;
        if (line[0] == 'W') {
          unsigned long long s, e;
          if (sscanf(line + 1, "%llu %llu", &s, &e) == 2) {
            reset();
            win_start = s;
            win_end = e;
          }
          printf("{\"ok\":true}\n");
          fflush(stdout);
        } else if (line[0] == 'R') {
          report();
        } else if (line[0] == 'Q') {
          return 0;
        }
        size_t used = (size_t)(nl - line) + 1;
        memmove(line, nl + 1, line_len - used);
        line_len -= used;
      }
    }
  }
}
