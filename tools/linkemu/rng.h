/* Seeded pseudo-random numbers: xoshiro256** seeded through splitmix64 (Blackman and Vigna). */
#ifndef LINKEMU_RNG_H
#define LINKEMU_RNG_H

#include <stdint.h>

struct rng
{
    uint64_t s[4];
};

/* Seeds one stream; distinct stream numbers give independent sequences from one user seed. */
void rng_seed(struct rng *rng, uint64_t seed, uint64_t stream);

uint64_t rng_next(struct rng *rng);

/* Uniform in [0, 1). */
double rng_unit(struct rng *rng);

#endif
