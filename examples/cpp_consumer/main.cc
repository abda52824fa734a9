// Uses the installed firstray library: Lame's first parameter of cortical bone.
#include <firstray/materials/linear_elastic.h>

#include <iostream>

int main()
{
  // E = 17000 MPa, nu = 0.3  ->  lambda = E nu / ((1 + nu)(1 - 2 nu)) = 9807.69 MPa
  const firstray::materials::LinearElastic bone(17000., 0.3);
  std::cout << "lambda = " << bone.lambda() << " MPa" << std::endl;
  return 0;
}
