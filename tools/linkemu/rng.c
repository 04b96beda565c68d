#include "rng.h"

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(const uint64_t x, const int k)
{
    return (x << k) | (x >> (64 - k));
}

void rng_seed(struct rng *rng, const uint64_t seed, const uint64_t stream)
{
    /* splitmix64 never yields four zero words in a row, which xoshiro's state must avoid. */
    uint64_t state = seed ^ (stream * 0xd1b54a32d192ed03ULL);
    for (int i = 0; i < 4; i++)
    {
        rng->s[i] = splitmix64(&state);
    }
}

uint64_t rng_next(struct rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_unit(struct rng *rng)
{
    /* The top 53 bits fill a double's mantissa exactly. */
    return (double)(rng_next(rng) >> 11) * 0x1.0p-53;
}
