#pragma once
// The owner object (placeholder until the core lands).
namespace opel::app {}
